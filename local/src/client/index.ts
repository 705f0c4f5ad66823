// An HTTP client of the access API as a reader's app calls it, with the local sign-in.
export { type AccessGrant, DeliveryClient, type HttpAnswer } from './delivery-client.ts';
