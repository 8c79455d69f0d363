/** berthd's embedded DNS server for user-defined networks (see server.ts). */
export { EmbeddedDns, type EmbeddedDnsOptions } from './server.js';
export { type DnsAnswers } from './answer.js';
export { containerResolvConf, upstreamsFromResolvConf } from './resolv-conf.js';
