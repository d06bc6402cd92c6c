"""python -m fazhi.extract FILE_OR_FOLDER ...: how often each rejection rule fired on those documents, and on what."""
import sys

from .rejections import main

sys.exit(main(sys.argv[1:]))
