import { createdAtOf } from './sweep';
import { uniqueSuffix } from './infra';

describe('test resource names', () => {
  it('carry their creation time, upper or lower case', () => {
    const before = Date.now();
    const s = uniqueSuffix();
    expect(createdAtOf(s)).toBeGreaterThanOrEqual(before);
    expect(createdAtOf(s.toUpperCase())).toBe(createdAtOf(s));
  });

  it('are not confused with other names', () => {
    expect(createdAtOf('prod')).toBeNull();
    expect(createdAtOf('zzzzzzzzz000000')).toBeNull();
  });
});
