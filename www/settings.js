// The settings form: reads tap options from it and puts the library's own error messages
// (TypeError/RangeError naming the option) next to the field they are about.

/** Form field → how the library spells it in messages (longest first, so that
 * "pitch.minFrequency" wins over a bare "minFrequency"). */
const NAMES = {
  batchSize: ['batchSize'],
  poolSize: ['maxPoolSize', 'poolSize'],
  minFrequency: ['pitch.minFrequency', 'pitch.windowSize', 'minFrequency'],
  maxFrequency: ['pitch.maxFrequency', 'maxFrequency'],
  clarityThreshold: ['pitch.clarityThreshold', 'clarityThreshold'],
  a4: ['pitch.a4'],
};
export const FIELDS = Object.keys(NAMES);

export class SettingsForm {
  constructor(form) {
    this.form = form;
  }

  input(name) {
    return this.form.elements.namedItem(name);
  }

  /** A field's number; an empty or unparsable field gives NaN, which the library rejects. */
  value(name) {
    return this.input(name).valueAsNumber;
  }

  /** Options for PitchTap.create. */
  options() {
    return {
      batchSize: this.value('batchSize'),
      poolSize: this.value('poolSize'),
      pitch: {
        minFrequency: this.value('minFrequency'),
        maxFrequency: this.value('maxFrequency'),
        clarityThreshold: this.value('clarityThreshold'),
        a4: this.value('a4'),
      },
    };
  }

  /**
   * Shows `error` next to the field its message names (the first option named in it), or
   * next to `fallback` when it names none of ours. Returns that field.
   */
  showError(error, fallback) {
    const message = error?.message ?? String(error);
    let field = fallback;
    let at = Infinity;
    for (const [name, spellings] of Object.entries(NAMES)) {
      for (const s of spellings) {
        const i = message.indexOf(s);
        if (i >= 0 && i < at) {
          at = i;
          field = name;
        }
      }
    }
    this.clearErrors();
    if (!field) return null;
    this.errorOutput(field).textContent = message;
    this.input(field).setAttribute('aria-invalid', 'true');
    return field;
  }

  clearErrors() {
    for (const name of FIELDS) {
      this.errorOutput(name).textContent = '';
      this.input(name).removeAttribute('aria-invalid');
    }
  }

  errorOutput(name) {
    return this.form.querySelector(`#${name}-error`);
  }

  /** Calls `listener(name)` when a field is committed (Enter, blur, spinner). */
  onChange(listener) {
    this.form.addEventListener('change', (e) => {
      if (FIELDS.includes(e.target.name)) listener(e.target.name);
    });
    this.form.addEventListener('submit', (e) => e.preventDefault());
  }
}
