// Placeholder until this page is built.
import { Loading } from '../components/feedback';
import type { Params } from '../router';
export function Followers(_: { params: Params }) { return <Loading />; }
export function Following(_: { params: Params }) { return <Loading />; }
export function FollowRequests(_: { params: Params }) { return <Loading />; }
