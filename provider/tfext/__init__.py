"""Extensions of the `tf` framework (1.2.0) that this provider needs; each module says what it adds and why."""
