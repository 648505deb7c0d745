"""Personal data: the encryption key's rotation, access requests, erasure and retention."""
