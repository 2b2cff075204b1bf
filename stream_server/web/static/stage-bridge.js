/* Hands the listener page's guest key to the stage module. stage.js is an ES module
 * (joinStage); the page's hand script is a classic one, so this module publishes
 * window.LiveStageStage = { join({room, key, name}), leave() } for it. Loaded only when the
 * server ships stage.js; if stage.js already publishes the object, it is left alone. */
import { joinStage } from "./stage.js";

let current = null;

if (!window.LiveStageStage) {
  window.LiveStageStage = {
    async join({ room, key }) {
      if (current) { await current.leave(); }
      current = await joinStage({ room, key });
      return current;
    },
    async leave() {
      const stage = current;
      current = null;
      if (stage) { await stage.leave(); }
    },
  };
}
