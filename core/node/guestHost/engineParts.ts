import { GuesthouseError } from '../../common/errors';
import { m, type Sentence } from '../../common/messages';
import type { BootSpec } from '../../common/protocol';
import type { VmState } from '../../common/state';
import type { Engine } from './engine';

/** The VM's name in a sentence (a request before the boot spec has none: "the VM"). */
export type VmName = string | Sentence;

/** The CD drive's part of the engine, or the sentence that says this engine has none. */
export function mediaEngine(engine: Engine | undefined, name: VmName): Required<Pick<Engine, 'changeMedia'>> {
  if (!engine?.changeMedia) throw new GuesthouseError('invalid-state', m('media.engine', { name }));
  return engine as Required<Pick<Engine, 'changeMedia'>>;
}

/** Screen and keyboard requests: any time the guest has a screen (the keyboard needs none) and its engine is up. */
export function screenEngine(
  engine: Engine | undefined,
  state: VmState,
  spec: BootSpec | undefined,
  name: VmName,
  needsScreen: boolean,
): Required<Pick<Engine, 'screenshot' | 'screenText' | 'sendKeys'>> {
  if (state === 'starting' || !engine?.screenshot || !engine.screenText || !engine.sendKeys)
    throw new GuesthouseError('invalid-state', m('display.notReady', { name }));
  if (needsScreen && spec?.config.display.adapter === 'none') throw new GuesthouseError('invalid-state', m('display.none', { name }));
  return engine as Required<Pick<Engine, 'screenshot' | 'screenText' | 'sendKeys'>>;
}
