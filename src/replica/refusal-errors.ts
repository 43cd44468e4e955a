import { RosterError, type ErrorCode } from '../core/errors.js';
import type { Refusal, RefusalReason } from '../raft/index.js';

/** The error a user sees for each of the Raft core's refusals. */
const CODE_OF: Readonly<Record<RefusalReason, ErrorCode>> = {
  'not-leader': 'ROSTER_ERR_NOT_LEADER',
  'no-leader': 'ROSTER_ERR_NO_LEADER',
  'being-removed': 'ROSTER_ERR_PROPOSAL_DROPPED',
  'transferring': 'ROSTER_ERR_PROPOSAL_DROPPED',
  'uncommitted-full': 'ROSTER_ERR_RESOURCE_EXHAUSTED',
  'reads-full': 'ROSTER_ERR_RESOURCE_EXHAUSTED',
  'conf-change-pending': 'ROSTER_ERR_CONF_CHANGE_PENDING',
  'conf-change-invalid': 'ROSTER_ERR_CONF_CHANGE_INVALID',
  'transfer-refused': 'ROSTER_ERR_TRANSFER_REFUSED',
};

export function refusalError(refusal: Refusal): RosterError {
  return new RosterError(CODE_OF[refusal.reason],
    refusal.detail === '' ? undefined : refusal.detail);
}
