from tests.cases.ipcases.support import courts

__all__ = ["courts"]
