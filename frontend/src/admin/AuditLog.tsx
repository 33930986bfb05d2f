// Placeholder until this page is built.
import { Loading } from '../components/feedback';
import type { Params } from '../router';
export function AuditLog(_: { params: Params }) { return <Loading />; }
