// Placeholder until this page is built.
import { Loading } from '../components/feedback';
import type { Params } from '../router';
export function Bookmarks(_: { params: Params }) { return <Loading />; }
export function Favourites(_: { params: Params }) { return <Loading />; }
