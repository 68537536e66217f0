"""Django forms built from JSON schemas: the generate form, and any app's form for a
schema it does not know in advance (a training body shape, a node app's inputs).

``forms.schema_form_class(schema)`` is the builder; ``fields`` holds the field
kinds it chooses from. It is an installed app only so that its widget templates
are found.
"""
