"""One session from Start to Stop: controller, config, sources, the thread hop, recorder, manifest."""
