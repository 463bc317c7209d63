import { GilbertError } from '../errors.js';
import type { Actions, HandlerFactory } from '../sdk/index.js';

interface Entry {
  factory: HandlerFactory;
  /** where the action came from, e.g. "built-in" or "plugin 'example' (file://./x.so)" */
  origin: string;
}

/** Every action the runner can call: built-ins and `plugin:action` names from plugins. */
export class ActionRegistry {
  private readonly entries = new Map<string, Entry>();

  register(name: string, factory: HandlerFactory, origin: string): void {
    const existing = this.entries.get(name);
    if (existing) {
      throw new GilbertError(`action '${name}' from ${origin} is already defined by ${existing.origin}`, {
        hint: 'rename one of the plugins or remove one of them from `plugins:`',
      });
    }
    this.entries.set(name, { factory, origin });
  }

  /** Registers each action of a plugin as `<plugin>:<action>`. */
  registerPlugin(pluginName: string, actions: Actions, origin: string): void {
    for (const [action, factory] of Object.entries(actions)) {
      this.register(`${pluginName}:${action}`, factory, origin);
    }
  }

  get(name: string): HandlerFactory | undefined {
    return this.entries.get(name)?.factory;
  }

  originOf(name: string): string | undefined {
    return this.entries.get(name)?.origin;
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }
}
