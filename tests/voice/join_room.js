// Say "join the jazz room" to the running Live Stage server through virtual-alexa,
// then print the skill's JSON response on stdout (one line).
//
//   node join_room.js <skill url> <model file> <application id> [utterance] [room]
//
// virtual-alexa sends the request envelope a real Echo would (no signature headers),
// emulates the AudioPlayer (it sends PlaybackStarted after a Play) and refuses Play
// URLs that are not HTTPS. `utter` only fills slots with values the model lists; when
// it refuses the utterance the script sends `intend("JoinRoomIntent", {room})` instead.
"use strict";

const va = require("virtual-alexa");

async function main() {
  const [url, modelFile, applicationId, utterance = "join the jazz room", room = "jazz"] =
    process.argv.slice(2);
  if (!url || !modelFile || !applicationId) {
    throw new Error("usage: node join_room.js <skill url> <model file> <application id>");
  }
  const alexa = va.VirtualAlexa.Builder()
    .skillURL(url)
    .interactionModelFile(modelFile)
    .applicationID(applicationId)
    .locale("en-US")
    .create();
  let response;
  try {
    response = await alexa.utter(utterance);
  } catch (error) {
    process.stderr.write(`utter refused (${error.message}); using intend\n`);
    response = await alexa.intend("JoinRoomIntent", { room });
  }
  process.stdout.write(JSON.stringify(response) + "\n");
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
