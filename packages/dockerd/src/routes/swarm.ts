/**
 * Swarm endpoints: berthd is never part of a swarm, so they answer at once with
 * dockerd's own errors for a node that never joined one (daemon/cluster errors.go:
 * errNoSwarm for leave/unlock, errNoManager for manager-only calls, both 503),
 * instead of hanging the client. init/join answer 501: swarm mode is not offered.
 */
import { Router, type RequestHandler } from 'express';
import { notImplemented, unavailable } from '@berth/errors';

export const errNoSwarm = 'This node is not part of a swarm';
export const errNoManager =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

const fail = (make: () => Error): RequestHandler => (_req, _res, next) => next(make());

export function swarmRoutes(): Router {
  const r = Router();
  const noSwarm = fail(() => unavailable(errNoSwarm));
  const noManager = fail(() => unavailable(errNoManager));
  const unsupported = fail(() => notImplemented('swarm mode is not supported by berthd'));
  r.post('/swarm/leave', noSwarm);
  r.post('/swarm/unlock', noSwarm);
  r.post('/swarm/init', unsupported);
  r.post('/swarm/join', unsupported);
  r.get('/swarm', noManager);
  r.get('/swarm/unlockkey', noManager);
  r.post('/swarm/update', noManager);
  // every method on these and below them needs a manager
  r.use(['/nodes', '/services', '/tasks', '/secrets', '/configs'], noManager);
  return r;
}
