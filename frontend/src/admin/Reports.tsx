// Placeholder until this page is built.
import { Loading } from '../components/feedback';
import type { Params } from '../router';
export function Reports(_: { params: Params }) { return <Loading />; }
export function ReportDetail(_: { params: Params }) { return <Loading />; }
