// Hold a whole conversation with the running Live Stage server through virtual-alexa,
// then print every response as one JSON array on stdout.
//
//   node conversation.js <skill url> <model file> <application id> <steps json>
//
// Steps: {"launch": true}, {"utter": "join the jazz room"},
// {"intend": "JoinRoomIntent", "slots": {"room": "jazz"}}, {"stopped": 754000} (the device
// stops playback at that offset and sends AudioPlayer.PlaybackStopped).
// virtual-alexa keeps the session attributes between turns and emulates the AudioPlayer:
// after a Play it sends PlaybackStarted and puts the token in context.AudioPlayer.
"use strict";

const va = require("virtual-alexa");

async function main() {
  const [url, modelFile, applicationId, stepsJson] = process.argv.slice(2);
  if (!url || !modelFile || !applicationId || !stepsJson) {
    throw new Error("usage: node conversation.js <skill url> <model file> <application id> <steps>");
  }
  const alexa = va.VirtualAlexa.Builder()
    .skillURL(url)
    .interactionModelFile(modelFile)
    .applicationID(applicationId)
    .locale("en-US")
    .create();
  const responses = [];
  for (const step of JSON.parse(stepsJson)) {
    if (step.launch) {
      responses.push(await alexa.launch());
    } else if (step.utter) {
      responses.push(await alexa.utter(step.utter));
    } else if (step.intend) {
      responses.push(await alexa.intend(step.intend, step.slots || {}));
    } else if (step.stopped !== undefined) {
      alexa.audioPlayer().playbackOffset(step.stopped);
      responses.push(await alexa.audioPlayer().playbackStopped());
    } else {
      throw new Error(`unknown step ${JSON.stringify(step)}`);
    }
  }
  process.stdout.write(JSON.stringify(responses) + "\n");
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
