"""The default interview plan library: one YAML file per plan (see :mod:`dialogue.plan_library`)."""
