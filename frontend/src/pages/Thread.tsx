// Placeholder until this page is built.
import { Loading } from '../components/feedback';
import type { Params } from '../router';
export function Thread(_: { params: Params }) { return <Loading />; }
export function EditStatus(_: { params: Params }) { return <Loading />; }
