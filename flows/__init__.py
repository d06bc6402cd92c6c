"""fazhi's Prefect flows and deployment entrypoints (installed as fazhi.flows; prefect.yaml points here)."""
