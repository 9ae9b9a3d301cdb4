import { compareCheckpoints } from './global-read';

describe(compareCheckpoints.name, () => {
  it('orders by transaction id first, then global position, as numbers beyond 2^53', () => {
    expect(compareCheckpoints({ transactionId: '9', globalPosition: '100' }, { transactionId: '10', globalPosition: '1' })).toBe(-1);
    expect(compareCheckpoints({ transactionId: '10', globalPosition: '2' }, { transactionId: '10', globalPosition: '1' })).toBe(1);
    expect(
      compareCheckpoints(
        { transactionId: '9007199254740993', globalPosition: '1' },
        { transactionId: '9007199254740992', globalPosition: '1' },
      ),
    ).toBe(1);
    expect(compareCheckpoints({ transactionId: '5', globalPosition: '5' }, { transactionId: '5', globalPosition: '5' })).toBe(0);
  });
});
