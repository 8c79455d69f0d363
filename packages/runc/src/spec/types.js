/** The OCI runtime spec 1.1 config.json, the parts a Linux runtime reads. */
export {};
