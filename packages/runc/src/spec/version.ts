/**
 * What `berth-runc --version` prints, and the version strings `features` and
 * `spec` share.
 *
 * runc 1.1.5 prints (urfave/cli, "%s version %s\n"):
 *   runc version 1.1.5        <- plus a build suffix, e.g. 1.1.5+ds1
 *   commit: <git commit>
 *   spec: 1.0.2-dev
 *   go: go1.19.8
 *   libseccomp: 2.5.4         <- only when built with libseccomp
 *
 * Who reads it, and so what must hold:
 * - containerd's go-runc: the first line must start with "runc version "; it
 *   then picks up lines starting with "commit: " and "spec: " and ignores the
 *   rest.
 * - dockerd (`docker info`, parseRuntimeVersion): *every* line containing the
 *   word "version" overwrites the runtime name and version, and "commit:" is
 *   read as the commit. So no line after the first may contain "version".
 * Hence: the runc-shaped first three lines with an honest "+berth" build
 * suffix and a static commit, no "go:" line (we are not built with Go; a fake
 * one would be a lie, and nothing we know of reads it) and no "libseccomp:"
 * line (runc omits it too when built without libseccomp; our filters are
 * compiled in TypeScript). A "node:" line says what actually runs us; it does
 * not contain "version", so it cannot confuse dockerd.
 */

/** The runc release whose command line and behaviour berth-runc follows. */
export const RUNC_COMPAT_VERSION = '1.1.5';

/** Our `runc version` value: semver build metadata marks the implementation. */
export const RUNC_VERSION = `${RUNC_COMPAT_VERSION}+berth`;

/** Static, so output is reproducible; a commit id is meaningless for us. */
export const RUNC_COMMIT = 'berth-runc-0.1.0';

/** The runtime-spec version runc 1.1.5 reports (its vendored specs-go). */
export const OCI_VERSION = '1.0.2-dev';

/** The full --version text, ending in a newline like urfave/cli's printer. */
export function versionText(nodeVersion: string = process.version): string {
  return [
    `runc version ${RUNC_VERSION}`,
    `commit: ${RUNC_COMMIT}`,
    `spec: ${OCI_VERSION}`,
    `node: ${nodeVersion}`,
  ].join('\n') + '\n';
}
