/** A one-line bug, its fix and the test that tells them apart: a session on it verifies in about a second. */
export const meanProgram = `def mean(values):
    return sum(values) / len(values) + 1


print(mean([1, 2, 3]))
`;
export const meanFixed = meanProgram.replace(' + 1', '');
export const meanTest = `from program import mean

assert mean([1, 2, 3]) == 2, mean([1, 2, 3])
assert mean([10]) == 10
`;
