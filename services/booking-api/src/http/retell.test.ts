import { readInvocation } from './retell';

const headers = (h: Record<string, string>) => (name: string) => h[name.toLowerCase()];

describe('readInvocation', () => {
  it('reads the default body: args, the call id and the caller number from `call`', () => {
    const inv = readInvocation(
      {
        name: 'book_appointment',
        args: { name: 'Jane' },
        call: {
          call_id: 'call_1',
          direction: 'inbound',
          from_number: '+4915112345678',
          to_number: '+4930123456',
        },
      },
      headers({}),
    );
    expect(inv).toEqual({ args: { name: 'Jane' }, callId: 'call_1', callerPhone: '+4915112345678' });
  });

  it('takes the callee as the customer on outbound calls', () => {
    const inv = readInvocation(
      {
        args: {},
        call: {
          call_id: 'c',
          direction: 'outbound',
          from_number: '+4930123456',
          to_number: '+4915112345678',
        },
      },
      headers({}),
    );
    expect(inv.callerPhone).toBe('+4915112345678');
  });

  it('in "args only" mode takes the whole body as args and the call from headers', () => {
    const inv = readInvocation(
      { name: 'Jane', start: '2026-03-30T09:00' },
      headers({ 'x-retell-call-id': 'call_2', 'x-retell-from-number': '+4915112345678' }),
    );
    expect(inv).toEqual({
      args: { name: 'Jane', start: '2026-03-30T09:00' },
      callId: 'call_2',
      callerPhone: '+4915112345678',
    });
  });

  it('ignores a caller number that is not E.164 and a call id with spaces', () => {
    const inv = readInvocation(
      {},
      headers({ 'x-retell-call-id': 'a b', 'x-retell-from-number': 'anonymous' }),
    );
    expect(inv).toEqual({ args: {}, callId: null, callerPhone: null });
  });
});
