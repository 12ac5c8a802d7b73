import { bookArgs, checkAvailabilityArgs, parseArgs } from './args';

describe('Retell function arguments', () => {
  it('say what is missing in words the agent can repeat', () => {
    expect(parseArgs(bookArgs, { start: '2026-03-30T09:00' })).toEqual({
      ok: false,
      said: "I still need the caller's name.",
    });
    expect(parseArgs(bookArgs, {})).toEqual({
      ok: false,
      said: "I still need the date and time and the caller's name.",
    });
    expect(parseArgs(checkAvailabilityArgs, { timeZone: 'Mars/Olympus' })).toEqual({
      ok: false,
      said: 'I still need a valid time zone and which day you mean.',
    });
  });

  it('forgive what an LLM typically sends: numbers as strings, spaced phone numbers, extra fields', () => {
    const r = parseArgs(bookArgs, {
      eventTypeId: '42',
      start: '2026-03-30T09:00',
      name: ' Jane ',
      phone: '+49 151 1234 5678',
      mood: 'happy',
    });
    expect(r).toEqual({
      ok: true,
      value: { eventTypeId: 42, start: '2026-03-30T09:00', name: 'Jane', phone: '+4915112345678' },
    });
  });
});
