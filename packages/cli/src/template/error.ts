/** A template that does not parse or cannot be executed (docker exits 1 on both). */
export class TemplateError extends Error {
  constructor(message: string) {
    super(`template: ${message}`);
    this.name = 'TemplateError';
  }
}
