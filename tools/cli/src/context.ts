/** What every command gets: the API, the tokens (asked for only when a command needs one), output. */
import { flag, UsageError, type Parsed } from './args';
import type { Api } from './http';

export interface Context {
  api: Api;
  env: NodeJS.ProcessEnv;
  json: boolean;
  operatorToken(): string;
  adminToken(): string;
  out(text: string): void;
  print(value: unknown): void;
}

export function createContext(
  p: Parsed,
  api: Api,
  env: NodeJS.ProcessEnv,
  write: (s: string) => void,
): Context {
  return {
    api,
    env,
    json: p.flags.get('json') === true,
    operatorToken() {
      const t = flag(p, 'token') ?? env.OPERATOR_TOKEN;
      if (!t) throw new UsageError('this command needs the operator token: --token or env OPERATOR_TOKEN');
      return t;
    },
    adminToken() {
      const t = flag(p, 'admin-token') ?? env.CALSYNC_ADMIN_TOKEN;
      if (!t)
        throw new UsageError(
          "this command needs the tenant's admin token: --admin-token or env CALSYNC_ADMIN_TOKEN",
        );
      return t;
    },
    out: write,
    print: (value) => write(JSON.stringify(value, null, 2) + '\n'),
  };
}
