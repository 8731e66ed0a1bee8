import { animationFrame } from "@odoo/hoot-dom";
import { patchWithCleanup } from "@web/../tests/web_test_helpers";

/**
 * Take the terminal offline once the calls it started are answered: with pos_hr installed, its test data
 * logs a cashier in and the store tells the server, a call that would otherwise fail as "connection lost".
 */
export async function goOffline(store) {
    await animationFrame();
    store.data.network.offline = true;
}

/**
 * Answer the dialogs the POS opens as the cashier would, without rendering them.
 *
 * ``reply(component, props)`` gives the answer: what a popup returns (``undefined`` closes it), or
 * ``true``/``false`` to confirm or cancel a confirmation. Returns the list of dialogs shown, in order,
 * each as ``{ component, props }``.
 */
export function answerDialogs(store, reply = () => undefined) {
    const shown = [];
    patchWithCleanup(store.dialog, {
        add(component, props = {}, options = {}) {
            shown.push({ component, props });
            const answer = reply(component, props);
            if (props.getPayload) {
                if (answer === undefined) {
                    options.onClose?.();
                } else {
                    props.getPayload(answer);
                }
            } else if (props.confirm) {
                if (answer) {
                    props.confirm();
                } else {
                    props.cancel();
                }
            }
            return () => {};
        },
    });
    return shown;
}
