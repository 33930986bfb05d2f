// Placeholder until this page is built.
import { Loading } from '../components/feedback';
import type { Params } from '../router';
export function AdminHome(_: { params: Params }) { return <Loading />; }
