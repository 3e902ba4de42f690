namespace wissen::retriever {}
