// The administration and review pages, loaded on demand as one chunk: most
// people never open them, so they do not download them.
export { Accounts } from './Accounts';
export { AdminHome } from './AdminHome';
export { AuditLog } from './AuditLog';
export { Federation } from './Federation';
export { Hooks } from './Hooks';
export { ReportDetail, Reports } from './Reports';
export { Reviews } from './Reviews';
export { Rules } from './Rules';
