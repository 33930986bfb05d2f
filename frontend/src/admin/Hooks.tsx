// Placeholder until this page is built.
import { Loading } from '../components/feedback';
import type { Params } from '../router';
export function Hooks(_: { params: Params }) { return <Loading />; }
