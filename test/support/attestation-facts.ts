// One request's attestation facts, shared by the attestation tests (test/domain/request-rules
// for the token and the statement, test/domain/attestation for each field's check).
import type { AttestationFacts } from '../../src/domain/attestation.ts';

export const ATTESTATION_FACTS: AttestationFacts = {
  v: 1,
  requestId: '3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b',
  reference: 'K7M4-9XQ2-HT',
  prefectureId: '93',
  procedureId: 'naturalisation',
  surname: 'Nguyễn',
  givenNames: 'Thị Lan',
  birthDate: '1990-04-12',
  filedAt: '2026-06-01T08:00:00.000Z',
  status: 'waiting',
  issuedAt: '2026-06-10T09:30:00.000Z',
};
