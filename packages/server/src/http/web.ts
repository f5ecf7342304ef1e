import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** No inline script or style, no eval: the app's scripts and styles come from this origin only. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // Task images may live on the customer's own storage; images cannot run code.
  "img-src 'self' data: blob: https: http:",
  "media-src 'self' https: http:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** Serves the built web app at `/`, with client-side routes falling back to index.html. */
export async function registerWebApp(app: FastifyInstance, webDir: string) {
  const index = join(webDir, 'index.html');
  if (!existsSync(index)) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send('Quorum is running. The web app is not built: run `npm run build -w @quorum/web`.'),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: webDir,
    wildcard: false,
    index: ['index.html'],
    setHeaders: (res) => res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY),
  });
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/v1/') || path.startsWith('/api/')) {
      return reply.status(404).send({
        status_code: 404,
        error: `No such endpoint: ${request.method} ${path}`,
        code: 'not_found',
      });
    }
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    return reply.sendFile('index.html');
  });
}
