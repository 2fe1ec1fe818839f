/** An instruction the offline compiler has no rule for; `words` are the words it could not place. */
export class InstructionNotUnderstoodError extends Error {
  readonly words: string[];

  constructor(words: string[], detail?: string) {
    super(
      `could not understand ${words.map((word) => `"${word}"`).join(', ')}${detail ? `: ${detail}` : ''}` +
        ' (offline instructions follow the grammar in the README: filter, select/drop, rename, sort, group by, drop duplicates, fill missing, add a column, top N)',
    );
    this.name = 'InstructionNotUnderstoodError';
    this.words = words;
  }
}
