from . import stored_value_statement
