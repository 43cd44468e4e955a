/** Leader-local lease deadlines: renew in memory, due revokes and checkpoints as data. */
export {
  Lessor, lessorDefaults,
  type DueLeases, type LeaseInfo, type LessorOptions, type LessorStatus, type ProtectChangeDetail,
} from './lessor.js';
