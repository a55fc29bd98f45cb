/**
 * The baseline of `npm run bench`: a bare Fastify 5 server that parses a JSON body and answers an empty card list,
 * the least any CDS service over Fastify can do. Run as its own process, like the service, and fed the same bodies.
 */
import Fastify from 'fastify';

const app = Fastify({ bodyLimit: 8 * 1024 * 1024 });
app.post('/cds-services/:id', async (request) => {
  // Touch the parsed body, as a service would, so the parse cannot be skipped.
  return { cards: [], received: typeof request.body };
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
