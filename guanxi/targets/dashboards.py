def context(request): return {}
def chart(request, key): return None
