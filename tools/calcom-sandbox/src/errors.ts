/**
 * Errors the sandbox answers with. Cal.com has two shapes: the API v2 envelope
 * (`{status:"error", timestamp, path, error:{code, message, details}}`) and the
 * bare `{statusCode, message, error}` that escapes from its booking internals
 * (slot taken, same-host race). `shape` picks one.
 */
export type ErrorShape = 'envelope' | 'internal';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BadRequestException',
  401: 'UnauthorizedException',
  403: 'ForbiddenException',
  404: 'NotFoundException',
  409: 'ConflictException',
  429: 'ThrottlerException',
  500: 'InternalServerErrorException',
  502: 'BadGatewayException',
  503: 'ServiceUnavailableException',
};

const REASON_BY_STATUS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export class SandboxHttpError extends Error {
  override name = 'SandboxHttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly shape: ErrorShape = 'envelope',
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const SLOT_TAKEN_MESSAGE = 'User either already has booking at this time or is not available';

export const badRequest = (message: string, details?: unknown) =>
  new SandboxHttpError(400, message, 'envelope', details);
export const notFound = (message: string) => new SandboxHttpError(404, message);
export const slotTaken = () => new SandboxHttpError(400, SLOT_TAKEN_MESSAGE, 'internal');

export function errorBody(
  status: number,
  message: string,
  shape: ErrorShape,
  path: string,
  details?: unknown,
) {
  const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'InternalServerErrorException' : 'HttpException');
  if (shape === 'internal') {
    return { statusCode: status, message, error: REASON_BY_STATUS[status] ?? 'Error' };
  }
  return {
    status: 'error',
    timestamp: new Date().toISOString(),
    path,
    error: {
      code,
      message,
      details: details ?? { message, error: REASON_BY_STATUS[status] ?? 'Error', statusCode: status },
    },
  };
}

export const THROTTLED_BODY = {
  status: 'error',
  error: { code: 'ThrottlerException', message: 'ThrottlerException: Too Many Requests' },
} as const;
