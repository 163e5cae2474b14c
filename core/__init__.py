"""What both apps share: partner API plumbing, keyset pagination, HTTP helpers and the cache."""
