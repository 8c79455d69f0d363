/** The shim's version, for -v and Connect. */
export const shimVersion = 'berth-shim 0.1.0';
