"""One handler per intent or event; ``skill.builder`` registers them in order.

In: the ``HandlerInput`` of one request the builder dispatched (first match wins) and,
given at construction, the narrowest directory Protocol each needs (``skill.directory``)
and the ``SkillConfig``. Out: one ``Response``. A handler gathers input through
``skill.requests``, asks ``skill.core`` for the decision and the words, and builds the
answer; no sentence, rule or storage detail lives here.
"""
