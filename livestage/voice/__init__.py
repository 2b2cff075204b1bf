"""The developer's offline Alexa: interaction models, a simulated device, whole conversations.

In: typed utterances, the per-language sample files under ``interaction_models/samples``
and a built skill (``skill.build_skill``). Out: the interaction model of every locale
(``interaction_models``), the request envelopes Alexa would send for an utterance
(``simulator``) and a device's many-turn exchange with the skill (``conversation``), for
``livestage say``, ``livestage models`` and the tests. None of it ships in the Lambda
bundle: the skill never imports this package.
"""
