import { GilbertError } from '../errors.js';

const COMMANDS = 'run ls init clean version completion help';

const bash = `# gilbert completion for bash: eval "$(gilbert completion bash)"
_gilbert_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${COMMANDS}" -- "$cur") )
  elif [ "\${COMP_WORDS[1]}" = "run" ] && [[ "$cur" != -* ]]; then
    COMPREPLY=( $(compgen -W "$(gilbert ls --quiet 2>/dev/null)" -- "$cur") )
  else
    COMPREPLY=()
  fi
}
complete -F _gilbert_complete gilbert
`;

const zsh = `# gilbert completion for zsh: eval "$(gilbert completion zsh)"
autoload -U +X bashcompinit && bashcompinit
${bash.split('\n').slice(1).join('\n')}`;

/** A completion script that completes commands and, after `run`, the task names of ./gilbert.yaml. */
export function completionScript(shell: string): string {
  if (shell === 'bash') return bash;
  if (shell === 'zsh') return zsh;
  throw new GilbertError(`unsupported shell '${shell}' for completion`, { hint: 'use bash or zsh' });
}
