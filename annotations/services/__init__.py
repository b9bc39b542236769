"""Write paths of the annotations app, one module per domain; import from the module itself."""
