/**
 * moby's version middleware: strips "/v1.xx" from the path (so one router serves
 * versioned and unversioned paths), rejects versions outside [1.24, 1.45] with
 * moby's texts, and sets the headers every dockerd response carries.
 */
import type { NextFunction, Request, Response } from 'express';
import { invalidArgument } from '@berth/errors';
import { apiVersion, compareVersions, minApiVersion } from '../api-version.js';
import { engineVersion } from '../gen/build-info.js';

const versioned = /^\/v([0-9.]+)(\/.*)?$/;

export interface ApiLocals {
  /** The version the client asked for, or the default (1.45) for unversioned paths. */
  apiVersion: string;
}

export function apiVersionMiddleware(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Server', `Docker/${engineVersion} (linux)`);
  res.setHeader('Api-Version', apiVersion);
  res.setHeader('OSType', 'linux');
  res.setHeader('Docker-Experimental', 'false');
  let version = apiVersion;
  const m = versioned.exec(req.url);
  if (m) {
    version = m[1] ?? apiVersion;
    req.url = m[2] ?? '/';
  }
  (res.locals as ApiLocals).apiVersion = version;
  if (compareVersions(version, minApiVersion) < 0) {
    return next(invalidArgument(`client version ${version} is too old. Minimum supported API version is ${minApiVersion}, please upgrade your client to a newer version`));
  }
  if (compareVersions(version, apiVersion) > 0) {
    return next(invalidArgument(`client version ${version} is too new. Maximum supported API version is ${apiVersion}`));
  }
  next();
}
