/**
 * docker's credential store, the file kind: `$DOCKER_CONFIG/config.json` (or
 * ~/.docker/config.json) with `{"auths": {"<server>": {"auth": base64(user:pass)}}}`.
 * The file is written atomically (a temp file in the same directory, mode
 * 0600 from its creation, then rename) and every other key in it is kept.
 * From it comes the X-Registry-Auth header pulls and pushes send: base64url
 * JSON of {username, password, serveraddress}, or of `{}` when none is stored.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The key docker uses for Docker Hub. */
export const defaultServer = 'https://index.docker.io/v1/';

interface StoredAuth {
  auth?: string;
  identitytoken?: string;
  [k: string]: unknown;
}

type ConfigFile = { auths?: Record<string, StoredAuth> } & Record<string, unknown>;

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

function readConfig(file: string): ConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  if (!text.trim()) return {};
  const doc = JSON.parse(text) as unknown;
  return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as ConfigFile) : {};
}

function writeConfig(file: string, doc: ConfigFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  // created 0600: the credentials are never readable by others, not even for a moment
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(doc, null, '\t')}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** "http://127.0.0.1:5000/v2/" -> "127.0.0.1:5000"; Docker Hub's names -> its key. */
export function serverKey(server: string | undefined): string {
  const bare = (server ?? '').trim().replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (bare === '' || bare === 'index.docker.io' || bare === 'registry-1.docker.io' || bare === 'docker.io') return defaultServer;
  return bare;
}

export function storeCredentials(key: string, username: string, password: string, env: NodeJS.ProcessEnv = process.env): string {
  const file = configPath(env);
  const doc = readConfig(file);
  doc.auths = { ...(doc.auths ?? {}), [key]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } };
  writeConfig(file, doc);
  return file;
}

/** Removes the entry; false when there was none. */
export function removeCredentials(key: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const file = configPath(env);
  const doc = readConfig(file);
  if (!doc.auths || !(key in doc.auths)) return false;
  const { [key]: _gone, ...rest } = doc.auths;
  doc.auths = rest;
  writeConfig(file, doc);
  return true;
}

export interface Credentials {
  username?: string;
  password?: string;
  identitytoken?: string;
}

/** Stored credentials for a registry domain (127.0.0.1:5000, docker.io), also under a scheme-prefixed key. */
export function credentialsFor(domain: string, env: NodeJS.ProcessEnv = process.env): Credentials {
  const key = serverKey(domain);
  const auths = readConfig(configPath(env)).auths ?? {};
  const entry = auths[key] ?? Object.entries(auths).find(([k]) => serverKey(k) === key)?.[1];
  if (!entry) return {};
  const out: Credentials = {};
  if (typeof entry.auth === 'string' && entry.auth) {
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0) {
      out.username = text.slice(0, colon);
      out.password = text.slice(colon + 1);
    }
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken) out.identitytoken = entry.identitytoken;
  return out;
}

/** The X-Registry-Auth header for a registry domain (`{}` encoded when nothing is stored, as docker sends). */
export function registryAuthHeader(domain: string, env: NodeJS.ProcessEnv = process.env): string {
  const c = credentialsFor(domain, env);
  const doc = c.username !== undefined || c.identitytoken ? { ...c, serveraddress: serverKey(domain) } : {};
  return Buffer.from(JSON.stringify(doc)).toString('base64url');
}

/** X-Registry-Config (docker build): every stored registry's credentials, base64url JSON keyed by server. */
export function registryConfigHeader(env: NodeJS.ProcessEnv = process.env): string {
  const auths = readConfig(configPath(env)).auths ?? {};
  const map: Record<string, Credentials & { serveraddress: string }> = {};
  for (const key of Object.keys(auths)) map[key] = { ...credentialsFor(key, env), serveraddress: key };
  return Buffer.from(JSON.stringify(map)).toString('base64url');
}
