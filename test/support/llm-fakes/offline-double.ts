import type {
  CandidateSource,
  GeneratedCandidates,
  GenerateRequest,
} from '../../../shared/ports/candidate-source.js';

/** Stands in for the built-in offline provider: answers at once and counts its calls. */
export class OfflineDouble implements CandidateSource {
  readonly name = 'offline';
  readonly requests: GenerateRequest[] = [];

  async generate(request: GenerateRequest): Promise<GeneratedCandidates> {
    this.requests.push(request);
    return {
      reproduction: 'import sys\nsys.exit(1)\n',
      candidates: [{ code: 'print("offline")\n', source: 'offline', title: 'rule-based' }],
      notes: ['offline: rule-based rewrite'],
      calls: [],
    };
  }
}
