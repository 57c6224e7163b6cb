// The Pub/Sub client's values the Vertex module uses, behind one module of ours that it imports
// when the event source is first resolved. A dynamic import() of the CommonJS package itself
// would stay outside the service bundle (see scripts/service-bundle.mjs); a static import from
// here lets the bundler take the client in, with its few dozen files, into the provider's chunk.
export { Duration, PubSub, SubscriptionCloseBehaviors } from '@google-cloud/pubsub';
