// Text messages in tests: the hasher the app uses, keyed with the test secret.
import { createHasher } from '../../src/adapters/crypto-secrets.ts';
import { TEST_IDENTITY_SECRET } from './scenario.ts';

export const createCryptoHasherForTests = () => createHasher(TEST_IDENTITY_SECRET);
